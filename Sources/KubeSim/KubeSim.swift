// The simulator module; see KubeSim.swift.
