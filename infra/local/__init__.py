"""GigConnect's local cloud: the services, their provisioning and the runtime that plays Lambda."""
