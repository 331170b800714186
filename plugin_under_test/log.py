import logging

logger = logging.getLogger("plugin_under_test")
