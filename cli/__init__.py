"""tabgan's command-line interface (installed as the ``tabgan_cli`` package)."""
