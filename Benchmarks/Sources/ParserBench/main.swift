print("parser benchmark: not written yet")
