namespace Tenure.Domain;

/// <summary>Why a command was refused. Each code maps one to one onto an error code of API.md.</summary>
public enum RefusalCode
{
    Validation,
    NotFound,
    InsufficientFunds,
    InvalidPeriod,
    NotRenewable,
    RenewalWindowClosed,
    BatchMixesProducts,
    CrossEditionChange,
    EditionChangeNotAllowed,
    MigrationRequired,
    InvalidState,
    QuoteStale,

    /// <summary>R7.9: the payment method was declined; the detail names the reason.</summary>
    PaymentDeclined,
}

/// <summary>An expected "no" from a rule: the code, a sentence for a person, and the field at fault if any.</summary>
public sealed record Refusal(RefusalCode Code, string Detail, string? Field = null)
{
    /// <summary>The API error code (<c>insufficient-funds</c>, …) and its HTTP status.</summary>
    public string ApiCode => Code switch
    {
        RefusalCode.Validation => "validation",
        RefusalCode.NotFound => "not-found",
        RefusalCode.InsufficientFunds => "insufficient-funds",
        RefusalCode.InvalidPeriod => "invalid-period",
        RefusalCode.NotRenewable => "not-renewable",
        RefusalCode.RenewalWindowClosed => "renewal-window-closed",
        RefusalCode.BatchMixesProducts => "batch-mixes-products",
        RefusalCode.CrossEditionChange => "cross-edition-change",
        RefusalCode.EditionChangeNotAllowed => "edition-change-not-allowed",
        RefusalCode.MigrationRequired => "migration-required",
        RefusalCode.InvalidState => "invalid-state",
        RefusalCode.QuoteStale => "quote-stale",
        RefusalCode.PaymentDeclined => "payment-declined",
        _ => throw new InvalidOperationException($"Unmapped refusal {Code}"),
    };

    public int HttpStatus => Code switch
    {
        RefusalCode.Validation => 400,
        RefusalCode.NotFound => 404,
        RefusalCode.InsufficientFunds => 402,
        RefusalCode.PaymentDeclined => 402,
        RefusalCode.InvalidState => 409,
        RefusalCode.QuoteStale => 409,
        _ => 422,
    };

    public static Refusal Invalid(string field, string detail) => new(RefusalCode.Validation, detail, field);
    public static Refusal State(string detail) => new(RefusalCode.InvalidState, detail);
}

/// <summary>Either a value or a refusal; expected outcomes are results, not exceptions.</summary>
public readonly record struct Outcome<T>
{
    private readonly T? _value;

    private Outcome(T? value, Refusal? refusal)
    {
        _value = value;
        Refusal = refusal;
    }

    public Refusal? Refusal { get; }

    public bool IsSuccess => Refusal is null;

    /// <summary>The value; throws when the outcome is a refusal (a bug in the caller).</summary>
    public T Value => Refusal is null ? _value! : throw new InvalidOperationException($"Refused: {Refusal.ApiCode}: {Refusal.Detail}");

#pragma warning disable CA2225 // the implicit conversions are the point: `return refusal;` or `return value;`
    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(Refusal refusal) => new(default, refusal);
#pragma warning restore CA2225

    public Outcome<TOut> Then<TOut>(Func<T, Outcome<TOut>> next) => Refusal is null ? next(_value!) : Refusal;
}
