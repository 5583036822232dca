"""Reports over incidents and post-mortems: pure functions of what was read and the window."""
