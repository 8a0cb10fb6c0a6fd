"""City configuration: loading, checking and finding regions in free text."""

from __future__ import annotations

import pytest

from referral.rules.city import CityConfigError, city_config, load_city_config


@pytest.mark.parametrize(
    ("text", "expected"),
    [("镇雄县", "镇雄县"), ("镇雄", "镇雄县"), ("不对，是镇雄县", "镇雄县"), ("我在昭阳区住", "昭阳区"),
     ("水富", "水富市"), ("我家在龙头山镇", "鲁甸县"), ("凤凰街道", "昭阳区")],  # a township names its region
)
def test_find_region_in_free_text(text, expected):
    region = city_config().find_region(text)
    assert region is not None and region.name == expected


@pytest.mark.parametrize("text", ["", "北京", "昆明市五华区", "镇雄或者彝良"])
def test_find_region_unknown_or_ambiguous(text):
    assert city_config().find_region(text) is None


def test_sample_city_has_eleven_regions():
    assert len(city_config().regions) == 11


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "mapping"),
        ("city: 昭通市\n", "regions"),
        ("city: 昭通市\nregions:\n  - {aliases: [x]}\n", r"regions\[0\] needs"),
        ("city: 昭通市\nregions:\n  - {name: 甲县, aliases: [甲]}\n  - {name: 乙县, aliases: [甲]}\n", "used twice"),
        ("city: [", "not valid YAML"),
    ],
)
def test_bad_city_config_is_reported(tmp_path, content, message):
    path = tmp_path / "city.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CityConfigError, match=message):
        load_city_config(path)


def test_missing_city_config_is_reported(tmp_path):
    with pytest.raises(CityConfigError, match="not found"):
        load_city_config(tmp_path / "nope.yaml")
