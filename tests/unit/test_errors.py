from appkit_domain import errors


def test_every_error_has_a_distinct_stable_code() -> None:
    codes = [cls.code for cls in errors.ALL_ERRORS]
    assert len(codes) == len(set(codes))
    assert errors.NotFound.code == "not_found"
    assert errors.PermissionDenied.code == "permission_denied"
    assert errors.Conflict.code == "conflict"
    assert errors.InvalidInput.code == "invalid_input"
    assert errors.Unavailable.code == "unavailable"


def test_every_error_derives_from_the_root() -> None:
    for cls in errors.ALL_ERRORS:
        assert issubclass(cls, errors.AppkitError)
    assert issubclass(errors.StaleVersion, errors.Conflict)
    assert issubclass(errors.RateLimited, errors.Unavailable)


def test_error_details_are_read_only_and_message_is_str() -> None:
    err = errors.RateLimited("slow down", retry_after=2.5, details={"route": "/x"})
    assert str(err) == "slow down"
    assert err.retry_after == 2.5
    assert err.details["route"] == "/x"
    try:
        err.details["route"] = "/y"  # type: ignore[index]
    except TypeError:
        pass
    else:
        raise AssertionError("details must be immutable")
