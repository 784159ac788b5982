"""Statistics on top of the core: dose-response, trials, meta-analysis, simulation. No Django."""
