using NodaTime;

namespace Tenure.Domain.Instances;

/// <summary>
/// R8.4: a paid cycle that starts after the running one, from a renewal made before expiry: it runs from
/// <see cref="Start"/> (the expiry it extended) to <see cref="Expiry"/>, and <see cref="Cash"/> is what its
/// charge took from the balance; <see cref="Method"/> what the payment method paid of it (R7.11: refunded to the method).
/// </summary>
public sealed record PaidCycle(Instant Start, Instant Expiry, long Cash, long Method = 0);
