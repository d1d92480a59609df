using Reminders.Enrollment.Roster;

namespace Reminders.Enrollment.Tests;

public sealed class PhoneNormalizationTests
{
    [Theory]
    [InlineData("55 1234 5678")]
    [InlineData("5512345678")]
    [InlineData("(55) 1234-5678")]
    [InlineData("(55)1234-5678")]
    [InlineData("55-1234-5678")]
    [InlineData("55.1234.5678")]
    [InlineData("+52 55 1234 5678")]
    [InlineData("+52 (55) 1234-5678")]
    [InlineData("+525512345678")]
    [InlineData("+52 1 55 1234 5678")]
    [InlineData("+5215512345678")]
    [InlineData("044 55 1234 5678")]
    [InlineData("045 55 1234 5678")]
    [InlineData("0445512345678")]
    [InlineData("525512345678")]
    [InlineData("52 55 1234 5678")]
    [InlineData("5215512345678")]
    [InlineData("52 1 55 1234 5678")]
    [InlineData(" 55 1234 5678 ")]
    public void Mexican_formats_normalize_to_e164_with_52_and_ten_digits(string text)
    {
        Assert.Equal("+525512345678", RosterParser.NormalizeMexicanMobile(text, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("33 1234 5678", "+523312345678")]     // Guadalajara
    [InlineData("(81) 8765-4321", "+528187654321")]   // Monterrey
    [InlineData("999 123 4567", "+529991234567")]     // Mérida, three-digit area code
    [InlineData("045 999 123 4567", "+529991234567")]
    [InlineData("55 0000 0101", "+525500000101")]     // the synthetic sample's block
    public void Numbers_outside_mexico_city_normalize_too(string text, string expected)
    {
        Assert.Equal(expected, RosterParser.NormalizeMexicanMobile(text, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "Phone is required.")]
    [InlineData("   ", "Phone is required.")]
    [InlineData("55 1234 567", "Not a valid phone number for MX (9 digits).")]
    [InlineData("1234", "Not a valid phone number for MX (4 digits).")]
    [InlineData("55 1234 56789", "Not a valid phone number for MX (11 digits).")]
    [InlineData("55 ABCD 5678", "A phone may contain only digits, spaces, + ( ) - and dots.")]
    [InlineData("5512345678a", "A phone may contain only digits, spaces, + ( ) - and dots.")]
    [InlineData("hola", "A phone may contain only digits, spaces, + ( ) - and dots.")]
    [InlineData("tel 55 1234 5678", "A phone may contain only digits, spaces, + ( ) - and dots.")]
    [InlineData("55 1234 5678 ext 12", "A phone may contain only digits, spaces, + ( ) - and dots.")]
    [InlineData("55 1234 5678 / 55 2345 6789", "A phone may contain only digits, spaces, + ( ) - and dots.")]
    [InlineData("=5512345678", "A phone may contain only digits, spaces, + ( ) - and dots.")]
    [InlineData("+1 212 555 0123", "Not a Mexican number (+1); allowed: MX.")]
    [InlineData("+1 (415) 555-2671", "Not a Mexican number (+1); allowed: MX.")]
    [InlineData("+34 612 345 678", "Not a Mexican number (+34); allowed: MX.")]
    [InlineData("800 123 4567", "Not a mobile number (toll free).")]
    public void Invalid_or_foreign_numbers_are_refused_with_a_reason(string text, string reason)
    {
        Assert.Null(RosterParser.NormalizeMexicanMobile(text, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Another_country_is_accepted_only_when_allowed()
    {
        Assert.Equal("+14155552671", RosterParser.NormalizePhone("+1 (415) 555-2671", ["MX", "US"], out var error));
        Assert.Null(error);
        Assert.Equal("+525512345678", RosterParser.NormalizePhone("55 1234 5678", ["MX", "US"], out _));
        Assert.Null(RosterParser.NormalizePhone("+34 612 345 678", ["MX", "US"], out error));
        Assert.Equal("Not a Mexican number (+34); allowed: MX, US.", error);
    }
}
