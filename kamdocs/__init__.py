"""kamdocs: key-account proposals tailored to every member of the client's decision-making unit."""
