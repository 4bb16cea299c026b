"""How results read: plans as text, Markdown and JSON, drift reports, and the progress of
reads and writes. Views render what the engine returns; they call no API."""
