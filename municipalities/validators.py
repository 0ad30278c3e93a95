"""全国地方公共団体コード (JIS X 0402) with its check digit."""

from django.core.exceptions import ValidationError

WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> int:
    """The sixth digit of a 全国地方公共団体コード, from the first five."""
    total = sum(int(digit) * weight for digit, weight in zip(first_five, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def validate_local_government_code(value: str) -> None:
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise ValidationError("団体コードは6桁の半角数字で入力してください（例：011002）。")
    if check_digit(value[:5]) != int(value[5]):
        raise ValidationError(
            "団体コード %(code)s の検査数字が正しくありません。", params={"code": value}
        )
