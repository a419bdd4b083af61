"""The unit of work: one transaction in which a write, its ledger entries and its findings happen together.

The interfaces live in `dutycare.service_layer.ports`; these names stay importable from here.
"""

from __future__ import annotations

from dutycare.service_layer.ports import AccessRecords as AccessRecords
from dutycare.service_layer.ports import Findings as Findings
from dutycare.service_layer.ports import Ledger as Ledger
from dutycare.service_layer.ports import Records as Records
from dutycare.service_layer.ports import SearchIndex as SearchIndex
from dutycare.service_layer.ports import UnitOfWork as UnitOfWork
