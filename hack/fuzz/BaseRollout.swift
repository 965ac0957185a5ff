import KubeModels

/// The valid Rollout every generated input starts from: every block of the spec in use, so
/// mutations reach analysis, hooks, notifications and the canary steps. `fz` names the input;
/// the runner renames it (and its Services) per input.
enum BaseRollout {
    static let value: JSONValue = [
        "apiVersion": "cutover.dev/v1alpha1",
        "kind": "Rollout",
        "metadata": ["name": "fz", "labels": ["team": "fuzz"], "annotations": ["note": "fuzzed"]],
        "spec": [
            "replicas": 2,
            "selector": ["matchLabels": ["app": "fz"]],
            "template": [
                "metadata": ["labels": ["app": "fz"], "annotations": ["sim.cutover.dev/ready-after": "100ms"]],
                "spec": [
                    "containers": [[
                        "name": "app", "image": "registry.example.com/fz:1.0.0", "ports": [["containerPort": 8080]],
                        "env": [["name": "MODE", "value": "fuzz"]],
                        "resources": ["requests": ["cpu": "100m", "memory": "64Mi"]],
                    ]],
                ],
            ],
            "minReadySeconds": 0,
            "progressDeadlineSeconds": 30,
            "revisionHistoryLimit": 2,
            "releaseHistoryLimit": 3,
            "services": ["active": "fz", "preview": "fz-preview"],
            "strategy": [
                "canary": ["steps": [["weight": 20, "pause": "1s"], ["weight": 50, "pause": "1s"]]],
                "approval": "Automatic",
                "holdWindow": "1s",
            ],
            "analysis": [
                "prometheus": ["address": "http://127.0.0.1:9", "timeout": "1s", "headers": [["name": "X-Scope-OrgID", "value": "fuzz"]]],
                "interval": "1s",
                "metrics": [
                    [
                        "name": "error-rate",
                        "query": "sum(rate(http_requests_total{namespace=\"{{namespace}}\",revision=\"{{green}}\",code=~\"5..\"}[{{interval}}]))",
                        "max": 0.05, "noData": "Inconclusive", "failureLimit": 0, "inconclusiveLimit": 3, "errorLimit": 2,
                    ],
                    [
                        "name": "latency",
                        "query": "histogram_quantile(0.99, sum by (le) (rate(latency_bucket{revision=\"{{green}}\"}[1m])))",
                        "baseline": "histogram_quantile(0.99, sum by (le) (rate(latency_bucket{revision=\"{{blue}}\"}[1m])))",
                        "maxIncrease": 0.25, "noData": "Pass",
                    ],
                ],
            ],
            "hooks": [
                "preCutover": ["url": "http://127.0.0.1:9/smoke", "timeout": "1s", "retries": 0],
                "postCutover": ["urlSecret": ["name": "fz-hooks", "key": "post"], "timeout": "1s", "retries": 1],
            ],
            "notifications": [
                ["name": "team", "urlSecret": ["name": "fz-hooks", "key": "notify"], "format": "Slack", "events": ["Started", "RolledBack"], "timeout": "1s"],
            ],
        ],
    ]
}
