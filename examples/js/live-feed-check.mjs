// Subscribes to complaintCreated with the two JavaScript clients frontends use
// (graphql-ws for graphql-transport-ws, subscriptions-transport-ws for the older graphql-ws),
// files a complaint over HTTP and checks both get it; an anonymous client must get nothing.
//
//   cd examples/js && npm install && ISP_URL=http://127.0.0.1:8000 ISP_USER=admin ISP_PASSWORD=... npm run check
import { createClient } from 'graphql-ws';
import pkg from 'subscriptions-transport-ws';
import WebSocket from 'ws';

const { SubscriptionClient } = pkg;
const base = process.env.ISP_URL ?? 'http://127.0.0.1:8000';
const wsUrl = base.replace(/^http/, 'ws') + '/graphql/ws';

async function gql(query, variables = {}, token) {
  const res = await fetch(base + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const SUB = 'subscription { complaintCreated { complaintId status title customer { fullName } } }';

function modern(token) {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` } });
  return new Promise((resolve, reject) => {
    client.subscribe({ query: SUB }, { next: (v) => { resolve(v); client.dispose(); }, error: reject, complete: () => {} });
  });
}

function legacy(token) {
  const client = new SubscriptionClient(wsUrl, { connectionParams: { authToken: token } }, WebSocket);
  return new Promise((resolve, reject) => {
    client.request({ query: SUB }).subscribe({ next: (v) => { resolve(v); client.close(); }, error: reject });
  });
}

function anonymous() {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  return new Promise((resolve) => {
    client.subscribe({ query: SUB }, {
      next: (v) => resolve({ got: v }),
      error: (e) => resolve({ refused: String(e?.reason ?? e?.message ?? e) }),
      complete: () => resolve({ refused: 'completed' }),
    });
    setTimeout(() => resolve({ refused: 'nothing within 3 s' }), 3000);
  });
}

const login = await gql('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
  { u: process.env.ISP_USER ?? 'admin', p: process.env.ISP_PASSWORD });
const token = login.login.token;
const customers = await gql('{ customers(first: 1) { nodes { id } } }', {}, token);
const customerId = customers.customers.nodes[0]?.id;
if (!customerId) throw new Error('need at least one customer (seed-demo makes some)');

const waiting = [modern(token), legacy(token)];
const anon = anonymous();
await new Promise((r) => setTimeout(r, 500));
await gql('mutation($i: CreateComplaintInput!) { createComplaint(input: $i) { complaintId } }',
  { i: { customerId, title: 'JS client check', description: 'filed by live-feed-check.mjs', category: 'OTHER' } }, token);
const [a, b] = await Promise.all(waiting.map((p) => Promise.race([p, new Promise((_, j) => setTimeout(() => j(new Error('no event within 10 s')), 10000))])));
for (const [name, event] of [['graphql-transport-ws (graphql-ws)', a], ['graphql-ws (subscriptions-transport-ws)', b]]) {
  const c = event.data.complaintCreated;
  if (!/^CMP\d{10}$/.test(c.complaintId) || c.status !== 'OPEN') throw new Error(`${name}: unexpected ${JSON.stringify(event)}`);
  console.log(`${name}: got ${c.complaintId} ${c.status} for ${c.customer.fullName}`);
}
const anonResult = await anon;
if (anonResult.got) throw new Error(`anonymous client got an event: ${JSON.stringify(anonResult.got)}`);
console.log(`anonymous client: refused (${anonResult.refused})`);
process.exit(0);
