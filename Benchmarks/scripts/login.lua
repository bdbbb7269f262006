-- POST /sessions for one registered user (WRK_EMAIL / WRK_PASSWORD): every answer must be 200.
dofile(os.getenv("WRK_REPORT"))
wrk.method = "POST"
wrk.path = "/sessions"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "email=" .. os.getenv("WRK_EMAIL") .. "&password=" .. os.getenv("WRK_PASSWORD")
