// The planner module; see Planner.swift.
