"""cohortbot application: settings, the Application factory, domain services and the command line."""
