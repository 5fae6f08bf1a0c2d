using NodaTime;

namespace Tenure.Api;

/// <summary>
/// Every instant a request carries lies in [1970, 2200): far from the calendar's limits, so that adding a
/// cycle, an hour or a grace period to it can never overflow (a usage sample at 9999-12-31 once did).
/// </summary>
public static class InstantBounds
{
    public static Instant From { get; } = Instant.FromUtc(1970, 1, 1, 0, 0);

    public static Instant To { get; } = Instant.FromUtc(2200, 1, 1, 0, 0);

    public const string Detail = "Instants must be between 1970-01-01T00:00:00Z and 2200-01-01T00:00:00Z.";

    public static bool Contains(Instant at) => at >= From && at < To;
}
