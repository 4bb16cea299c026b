"""A realistic slice of Stripe's product tax code catalogue (static, same in test and live).

Ids and names are Stripe's; the descriptions are ours, short on purpose.
"""

from __future__ import annotations

from reconciler.sandbox.store import Document

_CATALOGUE: tuple[tuple[str, str, str], ...] = (
    ("txcd_00000000", "Nontaxable", "Never taxed, whatever the jurisdiction."),
    (
        "txcd_10000000",
        "General - Electronically Supplied Services",
        "Any good or service delivered electronically.",
    ),
    (
        "txcd_10010001",
        "Infrastructure as a service (IaaS) - personal use",
        "Hosted compute, storage and memory, for personal use.",
    ),
    (
        "txcd_10101000",
        "Infrastructure as a service (IaaS) - business use",
        "Hosted compute, storage and memory, for a business.",
    ),
    (
        "txcd_10102000",
        "Platform as a service (PaaS) - business use",
        "A hosted platform to build and run applications, for a business.",
    ),
    (
        "txcd_10102001",
        "Platform as a Service (PaaS) - personal use",
        "A hosted platform to build and run applications, for personal use.",
    ),
    (
        "txcd_10103000",
        "Software as a service (SaaS) - personal use",
        "Standard software used online without download, for personal use.",
    ),
    (
        "txcd_10103001",
        "Software as a service (SaaS) - business use",
        "Standard software used online without download, for a business.",
    ),
    (
        "txcd_10103100",
        "Software as a service (SaaS) -- electronic download - personal use",
        "Standard hosted software that also ships a download, for personal use.",
    ),
    (
        "txcd_10103101",
        "Software as a service (SaaS) -- electronic download - business use",
        "Standard hosted software that also ships a download, for a business.",
    ),
    (
        "txcd_10104001",
        "Cloud-based business process as a service",
        "Business processes run for the buyer as an online service.",
    ),
    ("txcd_10201000", "Downloadable games", "Games the buyer downloads and keeps."),
    (
        "txcd_10202000",
        "Downloadable software - personal use",
        "Standard software the buyer downloads, for personal use.",
    ),
    (
        "txcd_10202001",
        "Downloadable software - non-recreational",
        "Downloaded standard software for non-recreational personal purposes.",
    ),
    (
        "txcd_10202003",
        "Downloadable software - business use",
        "Standard software the buyer downloads, for a business.",
    ),
    (
        "txcd_10203000",
        "Downloadable software - custom - personal use",
        "Software made for one buyer and downloaded, for personal use.",
    ),
    (
        "txcd_10203001",
        "Downloadable software - custom - business use",
        "Software made for one buyer and downloaded, for a business.",
    ),
    ("txcd_10301000", "Audiobook", "A recorded reading of a book, kept without limit."),
    ("txcd_10302000", "e-book", "An electronic book, kept without limit."),
    ("txcd_10303000", "Digital magazine -- subscription", "A recurring electronic magazine."),
    ("txcd_10303100", "Digital magazine", "One issue of an electronic magazine."),
    ("txcd_10304000", "Digital newspaper", "One issue of an electronic newspaper."),
    (
        "txcd_10304100",
        "Digital newspaper -- subscription",
        "A recurring electronic newspaper.",
    ),
    (
        "txcd_10401000",
        "Digital audio streaming -- limited use",
        "Audio streamed for a limited period.",
    ),
    ("txcd_10401100", "Digital audio -- unlimited use", "Audio the buyer keeps without limit."),
    (
        "txcd_10401200",
        "Digital audio streaming -- subscription",
        "Audio streamed while a subscription lasts.",
    ),
    (
        "txcd_10402000",
        "Digital video streaming -- limited use",
        "Video streamed for a limited period.",
    ),
    ("txcd_10402100", "Digital video - unlimited use", "Video the buyer keeps without limit."),
    (
        "txcd_10402200",
        "Digital video streaming -- subscription",
        "Video streamed while a subscription lasts.",
    ),
    (
        "txcd_10402300",
        "Digital video streaming -- live performance (limited use)",
        "A live performance streamed while it happens.",
    ),
    ("txcd_10501000", "Digital image", "An image the buyer downloads and keeps."),
    ("txcd_10502000", "Gift card", "A multi-purpose gift card delivered electronically."),
    (
        "txcd_10503000",
        "Other -- article delivered electronically",
        "A digital item kept without limit that fits no other code.",
    ),
    ("txcd_10701000", "Website advertising", "Creating and placing advertisements online."),
    ("txcd_10701100", "Website hosting", "Keeping a customer's website reachable online."),
    ("txcd_10701200", "Website design", "Designing a website or web page."),
    (
        "txcd_10701300",
        "Website data processing",
        "An online service that creates, transforms or gives access to data.",
    ),
    (
        "txcd_10701400",
        "Website information services",
        "An online service that supplies information, such as search.",
    ),
    ("txcd_20010003", "Cleaning services", "Cleaning of tangible personal property."),
    (
        "txcd_20030000",
        "General - Services",
        "Miscellaneous services, taxed only where services are taxed generally.",
    ),
    (
        "txcd_20030002",
        "Pet boarding",
        "Overnight care of an animal, not veterinary care.",
    ),
    ("txcd_20030003", "Pet grooming", "Grooming an animal."),
    ("txcd_20040002", "Personal care services", "Personal care such as hair or nail salons."),
    (
        "txcd_20060000",
        "Professional services",
        "Services of professionals such as lawyers or engineers.",
    ),
    (
        "txcd_20060009",
        "Tangible services -- data processing",
        "Data processing not performed online.",
    ),
    ("txcd_20060022", "Interior decorating", "Planning and design of interior spaces."),
    ("txcd_30011000", "Clothing and footwear", "General clothing and shoes."),
    ("txcd_30011200", "Children's clothing and footwear", "Clothing and shoes for children."),
    ("txcd_30060006", "Hats", "Hats and other headwear."),
    ("txcd_30060007", "Jewelry", "Jewelry."),
    ("txcd_30060010", "Non-clothing accessories", "Accessories that are not clothing."),
    ("txcd_35010000", "Books", "Printed books."),
    ("txcd_92010001", "Shipping", "Charges for delivering goods."),
    (
        "txcd_99999999",
        "General - Tangible Goods",
        "Any physical good, at the standard rate where taxed.",
    ),
)

TAX_CODES: tuple[Document, ...] = tuple(
    {"id": code, "object": "tax_code", "description": description, "name": name}
    for code, name, description in _CATALOGUE
)
_BY_ID: dict[str, Document] = {code["id"]: code for code in TAX_CODES}


def tax_code(code_id: str) -> Document | None:
    found = _BY_ID.get(code_id)
    return None if found is None else dict(found)
