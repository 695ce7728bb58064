"""Helpers shared by every integration: settings from env, warehouse access, instance config,
resources and alert records."""
