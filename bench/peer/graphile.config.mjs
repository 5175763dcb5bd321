// PostGraphile 5 for bench/peer.sh: the amber preset over the isp-billing database's public
// schema, no GraphiQL, no explain; PEER_DATABASE_URL and PEER_PORT from the script.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.PEER_DATABASE_URL, schemas: ["public"] })],
  grafserv: { port: Number(process.env.PEER_PORT || 5678), host: "127.0.0.1", graphiql: false },
  grafast: { explain: false },
};
