namespace Tenure.Domain;

/// <summary>An instance's ID; it never changes, not even across an edition change (R6.6).</summary>
public readonly record struct InstanceId(string Value)
{
    public override string ToString() => Value;
}

/// <summary>An account's ID.</summary>
public readonly record struct AccountId(string Value)
{
    public override string ToString() => Value;
}

/// <summary>A coupon's ID.</summary>
public readonly record struct CouponId(string Value)
{
    public override string ToString() => Value;
}
