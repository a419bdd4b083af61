"""dutycare: document, detect, escalate and publish denial of medical care to service members."""
