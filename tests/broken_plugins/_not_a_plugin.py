"""An importable module with nothing of the plugin's surface."""
