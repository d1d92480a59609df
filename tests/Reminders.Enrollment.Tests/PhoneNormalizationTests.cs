using Reminders.Enrollment.Roster;

namespace Reminders.Enrollment.Tests;

public sealed class PhoneNormalizationTests
{
    [Theory]
    [InlineData("55 1234 5678")]
    [InlineData("5512345678")]
    [InlineData("(55) 1234-5678")]
    [InlineData("55-1234-5678")]
    [InlineData("55.1234.5678")]
    [InlineData("+52 55 1234 5678")]
    [InlineData("+525512345678")]
    [InlineData("+52 1 55 1234 5678")]
    [InlineData("+5215512345678")]
    [InlineData("044 55 1234 5678")]
    [InlineData("045 55 1234 5678")]
    [InlineData("525512345678")]
    [InlineData("52 55 1234 5678")]
    [InlineData("5215512345678")]
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
    public void Numbers_outside_mexico_city_normalize_too(string text, string expected)
    {
        Assert.Equal(expected, RosterParser.NormalizeMexicanMobile(text, out _));
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData("55 1234 567", null)]
    [InlineData("1234", null)]
    [InlineData("55 1234 56789", null)]
    [InlineData("55 ABCD 5678", null)]
    [InlineData("5512345678a", null)]
    [InlineData("hola", null)]
    [InlineData("tel 55 1234 5678", null)]
    [InlineData("+1 212 555 0123", "Mexican")]
    [InlineData("+1 (415) 555-2671", "Mexican")]
    [InlineData("+34 612 345 678", "Mexican")]
    public void Invalid_or_foreign_numbers_are_refused_with_a_reason(string text, string? reasonContains)
    {
        Assert.Null(RosterParser.NormalizeMexicanMobile(text, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        if (reasonContains is not null) Assert.Contains(reasonContains, error);
    }
}
