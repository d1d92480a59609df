using System.Collections.Immutable;

namespace Reminders.Protocol;

public sealed record Holiday(DateOnly Date, string Name);

/// <summary>
/// The mandatory rest days of Mexico's Ley Federal del Trabajo, art. 74, computed for any year from 1971 on:
/// <list type="bullet">
/// <item>1 January; 1 May; 16 September; 25 December.</item>
/// <item>The first Monday of February (for 5 February) and the third Monday of November (for 20 November), since 2006;
/// the third Monday of March (for 21 March) since 2007 (DOF 17-01-2006). Before, the fixed dates.</item>
/// <item>The day the federal executive changes hands, every six years (2024, 2030, 2036, ...): 1 October since the
/// reform of fraction VII (DOF 30-09-2024, following art. 83 of the Constitution); 1 December up to 2018.</item>
/// </list>
/// Fraction IX (election days set by the electoral laws) is not computed: ordinary elections fall on a Sunday, and an
/// extraordinary one is announced, not computable; put it in <c>calendar.closedDates</c> if the calendar works Sundays.
/// Days many public offices also close (Holy Thursday and Friday, 2 November, 12 December) are not federal rest days:
/// list them in <c>calendar.closedDates</c>.
/// </summary>
public static class MexicanFederalHolidays
{
    public const int FirstYear = 1971;

    public static ImmutableArray<Holiday> For(int year)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, FirstYear);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9998);
        var holidays = new List<Holiday>
        {
            new(new DateOnly(year, 1, 1), "Año Nuevo"),
            new(year >= 2006 ? NthMonday(year, 2, 1) : new DateOnly(year, 2, 5), "Día de la Constitución"),
            new(year >= 2007 ? NthMonday(year, 3, 3) : new DateOnly(year, 3, 21), "Natalicio de Benito Juárez"),
            new(new DateOnly(year, 5, 1), "Día del Trabajo"),
            new(new DateOnly(year, 9, 16), "Día de la Independencia"),
            new(year >= 2006 ? NthMonday(year, 11, 3) : new DateOnly(year, 11, 20), "Día de la Revolución"),
            new(new DateOnly(year, 12, 25), "Navidad"),
        };
        // Presidential terms begin in 1934, 1940, ... 2018, 2024, 2030: the years that leave 2 when divided by 6.
        if (year % 6 == 2)
            holidays.Add(new(year >= 2024 ? new DateOnly(year, 10, 1) : new DateOnly(year, 12, 1), "Transmisión del Poder Ejecutivo Federal"));
        return [.. holidays.OrderBy(h => h.Date)];
    }

    static DateOnly NthMonday(int year, int month, int n)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)DayOfWeek.Monday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + 7 * (n - 1));
    }
}
