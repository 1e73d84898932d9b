namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// Marketing setup "Bus. Rel. Code for Customers": a new customer gets a company contact with a business relation,
/// and changes to the customer's name, address, phone and e-mail flow to that contact (which stamps it too).
/// </summary>
internal static class BcCustomerContacts
{
    public static void CreateCompanyContact(BcDataStore store, BcCustomer customer)
    {
        var contact = new BcContact { Id = Guid.NewGuid(), Number = store.NextContactNumber(), Type = "Company" };
        CopyFromCustomer(customer, contact);
        contact.CompanyNumber = contact.Number;
        store.Stamp(contact);
        store.AddContact(contact);
        store.Relate(contact, customer);
    }

    public static void SyncCompanyContact(BcDataStore store, BcCustomer customer)
    {
        if (customer.CompanyContact is not { } contact) return;
        var copy = new BcContact();
        CopyFromCustomer(customer, copy);
        var changed = copy.DisplayName != contact.DisplayName || copy.AddressLine1 != contact.AddressLine1 || copy.AddressLine2 != contact.AddressLine2
            || copy.City != contact.City || copy.State != contact.State || copy.Country != contact.Country || copy.PostalCode != contact.PostalCode
            || copy.PhoneNumber != contact.PhoneNumber || copy.Email != contact.Email || copy.Website != contact.Website;
        if (changed) store.Modify(contact, c => CopyFromCustomer(customer, c));
    }

    private static void CopyFromCustomer(BcCustomer customer, BcContact contact)
    {
        contact.DisplayName = customer.DisplayName;
        contact.CompanyName = customer.DisplayName;
        contact.SearchName = customer.DisplayName.ToUpperInvariant();
        contact.AddressLine1 = customer.AddressLine1;
        contact.AddressLine2 = customer.AddressLine2;
        contact.City = customer.City;
        contact.State = customer.State;
        contact.Country = customer.Country;
        contact.PostalCode = customer.PostalCode;
        contact.PhoneNumber = customer.PhoneNumber;
        contact.Email = customer.Email;
        contact.Website = customer.Website;
    }
}
