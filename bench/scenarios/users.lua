-- GET /users/42?verbose=true with the header the route's dependency reads.
wrk.headers["x-client"] = "bench"
