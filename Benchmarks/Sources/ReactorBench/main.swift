print("reactor benchmark: not written yet")
