"""The built-in sandbox provider: takes replies on channels with no real endpoint, records them, reaches
nobody."""
