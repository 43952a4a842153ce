"""moto's DynamoDB server, one request at a time.

`moto_server` serves requests on parallel threads and its DynamoDB backend does not lock items, so two
concurrent conditional writes to one item can both pass their condition: a race DynamoDB itself never allows
(every single-item write is atomic). The concurrency tests would then fail on moto's behaviour, not ours.
Serving requests one by one restores DynamoDB's per-item atomicity; everything else is moto's own server.

The first-deploy rehearsal deploys the whole stack to this server too; moto_cloudformation adds CloudFormation
support for the resource types moto would otherwise only pretend to create (see that module).

Usage: python .ci/moto_server.py PORT
"""

import sys

import moto_cloudformation  # noqa: F401  (this script's folder; registers CloudFormation models before first use)
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

if __name__ == "__main__":
    run_simple(
        "127.0.0.1",
        int(sys.argv[1]),
        DomainDispatcherApplication(create_backend_app),
        threaded=False,
        request_handler=MotoRequestHandler,
    )
