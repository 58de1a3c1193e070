"""The built-in plans are the DESIGN.md example sessions, generated from examples/ at build."""

import os

import plan

from host_tools import fw
from host_tools.device import builtin_plans
from host_tools.plans import lang


def _defaults(tmp_path):
    path = builtin_plans.stage(str(tmp_path))
    return fw.load_file("defaults_under_test", path)


def test_defaults_are_the_encoded_examples(tmp_path):
    d = _defaults(tmp_path)
    assert len(d.PLANS) == len(builtin_plans.EXAMPLES) == 3
    for name, table in zip(builtin_plans.EXAMPLES, d.PLANS, strict=True):
        src = lang.load(os.path.join(fw.ROOT, "examples", name + ".plan"))
        assert plan.decode(table) == src
        assert plan.Table(table)  # valid on the device


def test_defaults_minutes_match_design(tmp_path):
    # DESIGN.md: Beginner 12 min, Intermediate 15 min, Advanced 18 min
    d = _defaults(tmp_path)
    assert [plan.Table(b).total_s() for b in d.PLANS] == [720, 900, 1080]


def test_deploy_ships_the_generated_module():
    from host_tools.device import deploy

    files = dict(deploy.sources("pico"))
    assert files["defaults.py"] == os.path.join(builtin_plans.GEN, "defaults.py")
    assert not os.path.exists(os.path.join(fw.FIRMWARE, "defaults.py"))  # stored once
