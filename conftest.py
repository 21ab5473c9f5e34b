pytest_plugins = ["tests.sandbox_server", "tests.fixtures"]
