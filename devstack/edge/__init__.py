"""The local edge: the CloudFront distributions Terraform created, served on their own listener.

* ``config``: typed distribution / policy configuration parsed from the CloudFront API's XML;
* ``rules``: CloudFront's rules as pure functions (path patterns, cache keys, TTLs, forwarding);
* ``server``: ``Edge.handle(ViewerRequest) -> Response`` strings them together;
* ``source``: the configuration read through the in-process CloudFront API, and the origin fetch
  for execute-api origins through ``DevstackApp.serve_stage``;
* ``listener``: the WSGI app on the edge's port (the viewer IP is the TCP peer).

The URL is recorded in ``.devstack/stack.json`` as ``edge_url``; paths are CloudFront's
(``/v1/...``).
"""
