namespace Tenure.Domain.Accounts;

/// <summary>R7.9: whether the gateway may be asked to charge the method.</summary>
public enum PaymentMethodStatus
{
    Active,

    /// <summary>A hard decline (expired, lost, closed): not tried again until the method is replaced.</summary>
    DeclinedHard,
}

/// <summary>
/// R7.8: the one payment method an account may hold: the token the provider's gateway issued and a label to show
/// ("Visa •••• 4242"). Tenure never sees card data.
/// </summary>
public sealed record PaymentMethod(string Token, string Label, PaymentMethodStatus Status = PaymentMethodStatus.Active)
{
    /// <summary>Whether a charge may take its rest from this method (R7.8, R7.9).</summary>
    public bool Usable => Status == PaymentMethodStatus.Active;
}
