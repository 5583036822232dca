"""On-call schedules: rotations, layers with restrictions, overrides; who is on call at a given time."""
