"""moto's DynamoDB server, one request at a time.

`moto_server` serves requests on parallel threads and its DynamoDB backend does not lock items, so two
concurrent conditional writes to one item can both pass their condition: a race DynamoDB itself never allows
(every single-item write is atomic). The concurrency tests would then fail on moto's behaviour, not ours.
Serving requests one by one restores DynamoDB's per-item atomicity; everything else is moto's own server.

Usage: python .ci/moto_server.py PORT
"""

import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

if __name__ == "__main__":
    run_simple(
        "127.0.0.1",
        int(sys.argv[1]),
        DomainDispatcherApplication(create_backend_app),
        threaded=False,
        request_handler=MotoRequestHandler,
    )
