-- POST /items with a valid JSON body (see bench/scenarios/index.ts, which checks this file).
wrk.method = "POST"
wrk.body = '{"name":"Widget","price":9.99,"tags":["tools","sale"]}'
wrk.headers["Content-Type"] = "application/json"
