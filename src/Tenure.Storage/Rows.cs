using System.Collections.Immutable;
using System.Text.Json;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;

namespace Tenure.Storage;

/// <summary>How domain values are written to columns: instants as unix ticks, enums as names, nested values as JSON.</summary>
internal static class Columns
{
    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    /// <summary>
    /// The text each JSON column value was read from. Domain values are immutable records, so a
    /// value a decision did not change is the very object that was read, and writing it back
    /// reuses its text instead of serializing it again (most of an instance's columns, most times).
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, string> Texts = [];

    public static T? ReadJson<T>(string text)
        where T : class
    {
        var value = JsonSerializer.Deserialize<T>(text, Json);
        if (value is not null) Texts.AddOrUpdate(value, text);
        return value;
    }

    /// <summary>
    /// Values whose texts many rows share (an instance's components, alarms and paid cycles are mostly the same few), parsed
    /// once per text: domain values are immutable, so one object serves every row that holds the text. At most
    /// <see cref="SharedTexts"/> texts are kept; the rest are parsed each time.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Type, string), object> Shared = new();

    private const int SharedTexts = 4096;

    public static T? ReadShared<T>(string text)
        where T : class
    {
        if (Shared.TryGetValue((typeof(T), text), out var known)) return (T)known;
        var value = ReadJson<T>(text);
        if (value is not null && Shared.Count < SharedTexts) Shared.TryAdd((typeof(T), text), value);
        return value;
    }

    public static string WriteJson<T>(T value)
        where T : class => Texts.TryGetValue(value, out var text) ? text : JsonSerializer.Serialize(value, Json);

    public static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    public static long? Ticks(Instant? instant) => instant?.ToUnixTimeTicks();

    public static Instant At(long ticks) => Instant.FromUnixTimeTicks(ticks);

    public static Instant? At(long? ticks) => ticks is { } t ? Instant.FromUnixTimeTicks(t) : null;

    public static T Enum<T>(string name)
        where T : struct, System.Enum => System.Enum.Parse<T>(name);

    /// <summary>An enum name as the API spells it (<c>ExpiryReminder</c> → <c>expiryReminder</c>).</summary>
    public static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>An <c>instances</c> row.</summary>
internal sealed class InstanceRow
{
    public string Id { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string ClockId { get; set; } = "";
    public string Product { get; set; } = "";
    public string Region { get; set; } = "";
    public string Edition { get; set; } = "";
    public string Spec { get; set; } = "";
    public string ChargeType { get; set; } = "";
    public string Status { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? ExpiresAt { get; set; }
    public string Mode { get; set; } = "";
    public long AutoRenewMonths { get; set; }
    public string PostExpirationAction { get; set; } = "";
    public string PostReleaseAction { get; set; } = "";
    public string? PendingChange { get; set; }
    public string Components { get; set; } = "";
    public long CycleStart { get; set; }
    public long CycleCash { get; set; }
    public string AheadCycles { get; set; } = "[]";
    public long? StoppedAt { get; set; }
    public string? StopCause { get; set; }
    public long? ReleasedAt { get; set; }
    public long? PaygBilledThrough { get; set; }
    public long ProgressAt { get; set; }
    public long ProgressRank { get; set; }
    public string Alarms { get; set; } = "";
    public long? NextDueAt { get; set; }
    public string? NextDueKind { get; set; }
    public string? PaymentPending { get; set; }
    public long CycleMethod { get; set; }

    /// <summary>R8.9: <see cref="Storage.TermsDigest"/> of its price columns, for the report's grouped read.</summary>
    public long TermsDigest { get; set; }

    /// <summary>
    /// A row as SQLite's raw reader steps it (<see cref="SqliteRows"/>): the columns of <see cref="Session.InstanceColumns"/>, in order.
    /// </summary>
    public static InstanceRow Read(SqliteRow c) => new()
    {
        Id = c.Text(0), AccountId = c.Text(1), ClockId = c.Text(2), Product = c.Text(3), Region = c.Text(4), Edition = c.Text(5),
        Spec = c.Text(6), ChargeType = c.Text(7), Status = c.Text(8), CreatedAt = c.Long(9), ExpiresAt = c.NullableLong(10),
        Mode = c.Text(11), AutoRenewMonths = c.Long(12), PostExpirationAction = c.Text(13), PostReleaseAction = c.Text(14),
        PendingChange = c.NullableText(15), Components = c.Text(16), CycleStart = c.Long(17), CycleCash = c.Long(18),
        AheadCycles = c.Text(19), StoppedAt = c.NullableLong(20), StopCause = c.NullableText(21), ReleasedAt = c.NullableLong(22),
        PaygBilledThrough = c.NullableLong(23), ProgressAt = c.Long(24), ProgressRank = c.Long(25), Alarms = c.Text(26),
        NextDueAt = c.NullableLong(27), NextDueKind = c.NullableText(28), PaymentPending = c.NullableText(29), CycleMethod = c.Long(30),
        TermsDigest = c.Long(31),
    };

    public Instance ToDomain() => new()
    {
        Id = new InstanceId(Id),
        AccountId = new AccountId(AccountId),
        Product = Product,
        Region = Region,
        Edition = Edition,
        Spec = Spec,
        ChargeType = Columns.Enum<ChargeType>(ChargeType),
        Status = Columns.Enum<InstanceStatus>(Status),
        CreatedAt = Columns.At(CreatedAt),
        ExpiresAt = Columns.At(ExpiresAt),
        Mode = Columns.Enum<RenewalMode>(Mode),
        AutoRenewMonths = checked((int)AutoRenewMonths),
        PostExpirationAction = Columns.Enum<PostExpirationAction>(PostExpirationAction),
        PostReleaseAction = Columns.Enum<PostReleaseAction>(PostReleaseAction),
        PendingChange = PendingChange is null ? null : Columns.ReadJson<PendingChange>(PendingChange),
        Components = Columns.ReadShared<Components>(Components) ?? Domain.Instances.Components.None,
        CycleStart = Columns.At(CycleStart),
        CycleCash = CycleCash,
        AheadCycles = AheadCycles == "[]" ? [] : [.. Columns.ReadShared<PaidCycle[]>(AheadCycles) ?? []],
        StoppedAt = Columns.At(StoppedAt),
        StopCause = StopCause is null ? null : Columns.Enum<StopCause>(StopCause),
        ReleasedAt = Columns.At(ReleasedAt),
        PaygBilledThrough = Columns.At(PaygBilledThrough),
        Progress = new Progress(Columns.At(ProgressAt), checked((int)ProgressRank)),
        Alarms = Columns.ReadShared<AlarmSettings>(Alarms) ?? AlarmSettings.Default,
        PaymentPending = PaymentPending is null ? null : Columns.ReadJson<PendingPayment>(PaymentPending),
        CycleMethod = CycleMethod,
    };

    /// <summary>
    /// The row of <paramref name="i"/>. Its digest is that of <paramref name="was"/> (the row as read) while its price columns are
    /// the same text: most saves do not hash.
    /// </summary>
    public static InstanceRow From(Instance i, string clockId, DueEvent? next, InstanceRow? was = null)
    {
        var row = Written(i, clockId, next);
        row.TermsDigest = was is not null && SameTerms(row, was) ? was.TermsDigest : Storage.TermsDigest.Of(row);
        return row;
    }

    private static bool SameTerms(InstanceRow a, InstanceRow b) =>
        a.Product == b.Product && a.Spec == b.Spec && a.AutoRenewMonths == b.AutoRenewMonths && a.Components == b.Components
        && a.PendingChange == b.PendingChange;

    private static InstanceRow Written(Instance i, string clockId, DueEvent? next) => new()
    {
        Id = i.Id.Value,
        AccountId = i.AccountId.Value,
        ClockId = clockId,
        Product = i.Product,
        Region = i.Region,
        Edition = i.Edition,
        Spec = i.Spec,
        ChargeType = i.ChargeType.ToString(),
        Status = i.Status.ToString(),
        CreatedAt = Columns.Ticks(i.CreatedAt),
        ExpiresAt = Columns.Ticks(i.ExpiresAt),
        Mode = i.Mode.ToString(),
        AutoRenewMonths = i.AutoRenewMonths,
        PostExpirationAction = i.PostExpirationAction.ToString(),
        PostReleaseAction = i.PostReleaseAction.ToString(),
        PendingChange = i.PendingChange is null ? null : Columns.WriteJson(i.PendingChange),
        Components = Columns.WriteJson(i.Components),
        CycleStart = Columns.Ticks(i.CycleStart),
        CycleCash = i.CycleCash,
        AheadCycles = i.AheadCycles.IsEmpty ? "[]" : Columns.WriteJson(i.AheadCycles.ToArray()),
        StoppedAt = Columns.Ticks(i.StoppedAt),
        StopCause = i.StopCause?.ToString(),
        ReleasedAt = Columns.Ticks(i.ReleasedAt),
        PaygBilledThrough = Columns.Ticks(i.PaygBilledThrough),
        ProgressAt = Columns.Ticks(i.Progress.At),
        ProgressRank = i.Progress.Rank,
        Alarms = Columns.WriteJson(i.Alarms),
        NextDueAt = next is { } n ? Columns.Ticks(n.At) : null,
        NextDueKind = next?.Kind.ToString(),
        PaymentPending = i.PaymentPending is null ? null : Columns.WriteJson(i.PaymentPending),
        CycleMethod = i.CycleMethod,
    };
}

/// <summary>An <c>accounts</c> row.</summary>
public sealed class AccountRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string? Phone { get; set; }
    public string Currency { get; set; } = "";
    public long Balance { get; set; }
    public long NoStopOnExpiry { get; set; }
    public long? NegativeSince { get; set; }
    public string? WebhookUrl { get; set; }
    public string? WebhookSecret { get; set; }
    public string? WebhookSecretPrevious { get; set; }
    public long? WebhookSecretReplacedAt { get; set; }
    public string ClockId { get; set; } = Session.SystemClock;
    public long CreatedAt { get; set; }
    public string? PaymentMethodToken { get; set; }
    public string? PaymentMethodLabel { get; set; }
    public string? PaymentMethodStatus { get; set; }

    /// <summary>R7.8: the payment method on file, or null.</summary>
    public PaymentMethod? PaymentMethod => PaymentMethodToken is { } token
        ? new PaymentMethod(token, PaymentMethodLabel ?? "",
            Columns.Enum<PaymentMethodStatus>(PaymentMethodStatus ?? nameof(Domain.Accounts.PaymentMethodStatus.Active)))
        : null;

    /// <summary>R9.6: the language its notices are worded in.</summary>
    public string Locale { get; set; } = Locales.Default;

    /// <summary>Where the account's notices can go.</summary>
    public Contacts Contacts => new(Email, Phone, WebhookUrl);

    internal Account ToDomain(IEnumerable<Coupon> coupons) =>
        new(new AccountId(Id), Currency, Balance, coupons.ToImmutableList(), NoStopOnExpiry != 0, Columns.At(NegativeSince), PaymentMethod);
}

/// <summary>A <c>coupons</c> row.</summary>
internal sealed class CouponRow
{
    public string Id { get; set; } = "";
    public string AccountId { get; set; } = "";
    public long Amount { get; set; }
    public long Remaining { get; set; }
    public long ExpiresAt { get; set; }
    public string? Product { get; set; }

    public Coupon ToDomain() => new(new CouponId(Id), Remaining, Columns.At(ExpiresAt), Product);
}
