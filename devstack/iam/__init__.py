"""IAM for the devstack: execution-role credentials for the functions, policy evaluation, and
authorisation of every AWS call a function makes (and of API Gateway's invocations of functions).

* ``policy``: IAM policy documents and AWS's evaluation logic (pure).
* ``actions``: which actions on which resources an API request needs (table-driven, pure).
* ``credentials``: the functions' role sessions from the emulator's STS.
* ``enforcer``: the check the emulator runs before a function's call reaches a filler or moto.
* ``lambda_permissions``: the functions' resource policies, as API Gateway's invocations meet them.
* ``emulator``: the adapter reading roles, policies, secrets, keys and functions from moto.
"""
