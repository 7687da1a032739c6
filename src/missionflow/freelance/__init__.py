"""The freelance trade: what a freelancer's mission means beyond the generic workflow engine."""
