#!/usr/bin/env python3
"""Request bodies for wrk (bench/graphql_load.lua): the first 50 pages of a list query, one JSON
body a line (bench/profile.sh, bench/peer.sh).

    python3 bench/graphql_pages.py URL QUERY_FILE ROOT PAGE [TOKEN] > bodies.jsonl

Walks the list by the server's own cursors (ROOT is the list's field: `customers` or
`allCustomers`), so every server is asked for the same 50 pages of the same customers; fails on
a GraphQL error.
"""

import json
import sys
import urllib.request


def post(url, body, token):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    answer = json.load(urllib.request.urlopen(request))
    if answer.get("errors"):
        sys.exit(f"{url}: {answer['errors'][0]['message']}")
    return answer["data"]


def main():
    url, query_file, root, page = sys.argv[1:5]
    token = sys.argv[5] if len(sys.argv) > 5 else None
    query = "".join(line for line in open(query_file) if not line.startswith("#"))
    after = None
    for _ in range(50):
        body = {"query": query, "variables": {"first": int(page), "after": after}}
        print(json.dumps(body))
        info = post(url, body, token)[root]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]


main()
