using System.Globalization;

namespace Tenure.Api.Web;

/// <summary>A value axis from zero: round steps of 1, 2 or 5 × 10ⁿ up to a top at or above the largest value.</summary>
public sealed record ValueAxis(long Top, IReadOnlyList<long> Ticks)
{
    /// <summary>At most <paramref name="maxTicks"/> ticks (zero included) that reach <paramref name="max"/>.</summary>
    public static ValueAxis For(long max, int maxTicks)
    {
        max = Math.Max(1, max);
        for (var magnitude = 1L; ; magnitude *= 10)
        {
            foreach (var step in new[] { magnitude, 2 * magnitude, 5 * magnitude })
            {
                var top = (max + step - 1) / step * step;
                if ((top / step) + 1 > maxTicks) continue;
                var ticks = new List<long>();
                for (var tick = 0L; tick <= top; tick += step) ticks.Add(tick);
                return new ValueAxis(top, ticks);
            }
        }
    }

    /// <summary>"750", "1k", "2.5k", "250k": short enough for the axis.</summary>
    public static string Format(long value) => value >= 1000
        ? (value / 1000m).ToString("0.#", CultureInfo.InvariantCulture) + "k"
        : value.ToString(CultureInfo.InvariantCulture);
}
