print("authd: not wired yet")
