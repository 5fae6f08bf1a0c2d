namespace Tenure.Domain.Payments;

/// <summary>R7.9: what the gateway answered.</summary>
public enum PaymentStatus
{
    Pending,
    Succeeded,
    Declined,
}

/// <summary>
/// R7.9: the gateway's answer to a payment: succeeded, declined with a reason (a hard decline — expired, lost, closed — is
/// not tried again on that method), or pending (the result comes later).
/// </summary>
public sealed record PaymentResult(PaymentStatus Status, string? Reason = null, bool Hard = false)
{
    public static PaymentResult Succeeded { get; } = new(PaymentStatus.Succeeded);

    /// <summary>The reason as a notice names it.</summary>
    public string Why => string.IsNullOrWhiteSpace(Reason) ? (Hard ? "declined (hard)" : "declined") : Reason!;
}
