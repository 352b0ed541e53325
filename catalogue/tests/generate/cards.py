"""Writes an image-only scanned catalogue of product cards in three columns, each card either
"Réf." on top then name, description and price, or the name with its price on one line, then
"Réf." and the description; skewed and noisy, with its ground truth: X.pdf and X.json."""
import json, random, sys
from PIL import Image, ImageDraw, ImageFilter, ImageFont

random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 11)
out = sys.argv[1]
W, H = 2480, 3508
F = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
B = "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"
title, small, body, name_font, price_font = (ImageFont.truetype(B, 72), ImageFont.truetype(F, 34),
    ImageFont.truetype(F, 34), ImageFont.truetype(B, 42), ImageFont.truetype(B, 44))
things = ["Verre à pied", "Assiette plate", "Bol", "Tasse", "Pichet", "Fourchette", "Cuillère",
          "Sucrier", "Beurrier", "Plat à gratin", "Poêle", "Wok", "Louche", "Fouet"]
stuff = ["porcelaine", "inox brossé", "verre soufflé", "fonte", "céramique", "bambou"]
sizes = ["25 cl", "Ø 27 cm", "lot de 12", "28 cm", "1 L", "x 6"]
notes = ["Empilable.", "Résiste au four.", "Passe au micro-ondes.", "Garantie 2 ans.",
         "Fabriqué au Portugal.", "Coloris assortis.", "Livré en coffret."]

def price(cents):
    euros, c = divmod(cents, 100)
    return f"{euros},{c:02d} € HT"

products, pages, n = [], [], 0
for page in (1, 2):
    img = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, W, 180], fill=30)
    d.text((90, 50), "Tables & Cuisines", font=title, fill=255)
    d.text((W - 420, 75), f"Page {page}", font=small, fill=230)
    for row in range(3):
        for col in range(3):
            n += 1
            x, y = 110 + col * 780, 320 + row * 1000
            d.rectangle([x - 30, y - 40, x + 700, y + 520], outline=190, width=3)
            name = f"{random.choice(things)} {random.choice(stuff)} {random.choice(sizes)}"
            ref = f"{random.choice(['TC', 'VX', 'RM'])}-{random.randint(100, 999)}-{random.choice('ABCDE')}"
            cents = random.choice([199, 650, 1090, 2500, 3999, 7450, 15900])
            desc = " ".join(random.sample(notes, 2))
            if n % 2:
                d.text((x, y), f"Réf. {ref}", font=small, fill=40)
                d.text((x, y + 60), name, font=name_font, fill=0)
                d.text((x, y + 130), desc, font=body, fill=30)
                d.text((x, y + 200), price(cents), font=price_font, fill=0)
            else:
                d.text((x, y), name, font=name_font, fill=0)
                d.text((x, y + 70), f"Réf. {ref}", font=small, fill=40)
                d.text((x, y + 130), desc, font=body, fill=30)
                # The price alone, at the card's bottom right.
                d.text((x + 700 - d.textlength(price(cents), font=price_font) - 10, y + 250),
                       price(cents), font=price_font, fill=0)
            products.append({"name": name, "reference": ref, "price_eur": cents / 100,
                             "description": desc, "page": page})
    for _ in range(3000):
        d.point((random.randrange(W), random.randrange(H)), fill=random.randint(100, 220))
    img = img.rotate(random.uniform(-0.8, 0.8), resample=Image.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.5))
    pages.append(img.convert("RGB"))
pages[0].save(out + ".pdf", save_all=True, append_images=pages[1:], resolution=300)
json.dump({"title": "Tables & Cuisines", "layout": "grid", "pages": 2, "products": products},
          open(out + ".json", "w"), ensure_ascii=False, indent=1)
