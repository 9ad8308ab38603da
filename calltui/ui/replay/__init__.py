"""`calltui replay FILE`: a recorded session played back in the call table, with seek, pause and actions."""
