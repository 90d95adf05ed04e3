"""Client-side helpers for the end-to-end suites and the smoke script.

Everything here talks to the deployed API over HTTP and to AWS through the public APIs a real client
or operator uses (Cognito, Secrets Manager, Lambda configuration). It never imports the application
package (`meridian`): the suites must prove the deployment, not the code in this checkout.
"""
