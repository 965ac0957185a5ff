print("kube-sim: not yet implemented")
