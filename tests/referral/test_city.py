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


def _with(tmp_path, replace: str, by: str):
    """The shipped city.yaml with one line changed, loaded from a temporary copy."""
    from referral.rules.city import DEFAULT_CITY_CONFIG

    text = DEFAULT_CITY_CONFIG.read_text(encoding="utf-8")
    assert replace in text
    path = tmp_path / "city.yaml"
    path.write_text(text.replace(replace, by), encoding="utf-8")
    return load_city_config(path)


def test_the_shipped_phone_numbers_are_marked_as_samples_and_no_sms_alarm_is_set():
    config = city_config()
    phones = [s for s in config.stations if s.phone]
    assert phones and all(s.phone_sample for s in phones)  # nobody calls a made-up number
    assert config.sms_alarm is None  # 12110 needs the local suffix: no guessed number is given


def test_phone_settings_are_real_or_marked_samples(tmp_path):
    assert _with(tmp_path, "sms_alarm: null", 'sms_alarm: "1211087"').sms_alarm == "1211087"
    assert _with(tmp_path, "sms_alarm: null", 'sms_alarm: {number: "12110", sample: true}').sms_alarm is None
    real = _with(tmp_path, 'phone: {number: "0870-2152348", sample: true}', 'phone: "0870-2150000"')
    city = next(s for s in real.stations if s.code == "city")
    assert (city.phone, city.phone_sample) == ("0870-2150000", False)
    with pytest.raises(CityConfigError, match=r"sms_alarm must be a phone number"):
        _with(tmp_path, "sms_alarm: null", "sms_alarm: {num: 12110}")


@pytest.mark.parametrize(("text", "expected"), [
    ("我是彝良的 在浙江义乌打工 老板欠我3万工资", "浙江"),  # the city's own place does not cancel it
    ("在深圳厂里受的伤", "深圳"),
    ("一直在外地打工", "外地"),
    ("在镇雄县被人打了", None),
    ("把东西藏起来了", None),  # 西藏 is left out of the list on purpose
    ("", None),
])
def test_place_elsewhere(text, expected):
    assert city_config().place_elsewhere(text) == expected


def test_places_elsewhere_are_checked(tmp_path):
    with pytest.raises(CityConfigError, match=r"'elsewhere' names places of the city's own regions: \['镇雄'\]"):
        _with(tmp_path, "elsewhere: [昆明,", "elsewhere: [镇雄, 昆明,")
    with pytest.raises(CityConfigError, match="'elsewhere' must be a list of place names"):
        _with(tmp_path, "elsewhere: [昆明,", "elsewhere: [1, 昆明,")
