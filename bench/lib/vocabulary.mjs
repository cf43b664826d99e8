/**
 * Words the generated log is made of: the partners of the source text, more
 * partners of the same kinds, themes, places and people's names, in Arabic and
 * French (some English), written as an institute's clerks would write them.
 */

/** The partners the source text names (DOMAIN.md F1-F18), registered first. */
export const knownPartners = [
  { partnerId: 'ssm-italy', kind: 'school', country: 'IT', acronym: 'SSM', name: { fr: 'École supérieure de la magistrature (Italie)', ar: 'المدرسة العليا للقضاء الإيطالية', en: 'Scuola Superiore della Magistratura' } },
  { partnerId: 'giz', kind: 'agency', country: 'DE', acronym: 'GIZ', name: { fr: 'Agence allemande de coopération internationale', ar: 'الوكالة الألمانية للتعاون الدولي' } },
  { partnerId: 'ministry-of-justice', kind: 'ministry', country: 'MA', name: { fr: 'Ministère de la Justice', ar: 'وزارة العدل' } },
  { partnerId: 'embassy-denmark', kind: 'embassy', country: 'DK', name: { fr: 'Ambassade du Danemark à Rabat', ar: 'سفارة الدنمارك بالرباط' } },
  { partnerId: 'kvinfo', kind: 'research-centre', country: 'DK', acronym: 'KVINFO', name: { fr: 'Centre danois de recherche et d’information sur le genre et l’égalité', ar: 'المركز الدنماركي للبحث والمعلومات حول النوع والمساواة' } },
  { partnerId: 'enabel', kind: 'agency', country: 'BE', acronym: 'Enabel', name: { fr: 'Agence belge de développement', ar: 'الوكالة البلجيكية للتنمية' } },
  { partnerId: 'embassy-spain', kind: 'embassy', country: 'ES', name: { fr: 'Ambassade d’Espagne', ar: 'سفارة إسبانيا' } },
  { partnerId: 'aecid', kind: 'agency', country: 'ES', acronym: 'AECID', name: { fr: 'Agence espagnole de coopération internationale pour le développement', ar: 'الوكالة الإسبانية للتعاون الدولي من أجل التنمية' } },
  { partnerId: 'enm-france', kind: 'school', country: 'FR', acronym: 'ENM', name: { fr: 'École nationale de la magistrature', ar: 'المدرسة الوطنية للقضاء' } },
  { partnerId: 'enag-dijon', kind: 'school', country: 'FR', acronym: 'ENG', name: { fr: 'École nationale des greffes (Dijon)', ar: 'المدرسة الوطنية لكتابة الضبط بديجون' } },
];

/** Countries partners come from, with their names in French and Arabic. */
export const countries = [
  { code: 'FR', fr: 'France', ar: 'فرنسا', city: { fr: 'Paris', ar: 'باريس' } },
  { code: 'ES', fr: 'Espagne', ar: 'إسبانيا', city: { fr: 'Madrid', ar: 'مدريد' } },
  { code: 'IT', fr: 'Italie', ar: 'إيطاليا', city: { fr: 'Rome', ar: 'روما' } },
  { code: 'BE', fr: 'Belgique', ar: 'بلجيكا', city: { fr: 'Bruxelles', ar: 'بروكسل' } },
  { code: 'DE', fr: 'Allemagne', ar: 'ألمانيا', city: { fr: 'Berlin', ar: 'برلين' } },
  { code: 'PT', fr: 'Portugal', ar: 'البرتغال', city: { fr: 'Lisbonne', ar: 'لشبونة' } },
  { code: 'TN', fr: 'Tunisie', ar: 'تونس', city: { fr: 'Tunis', ar: 'تونس' } },
  { code: 'SN', fr: 'Sénégal', ar: 'السنغال', city: { fr: 'Dakar', ar: 'داكار' } },
  { code: 'EG', fr: 'Égypte', ar: 'مصر', city: { fr: 'Le Caire', ar: 'القاهرة' } },
  { code: 'CA', fr: 'Canada', ar: 'كندا', city: { fr: 'Québec', ar: 'كيبيك' } },
  { code: 'NL', fr: 'Pays-Bas', ar: 'هولندا', city: { fr: 'La Haye', ar: 'لاهاي' } },
  { code: 'JO', fr: 'Jordanie', ar: 'الأردن', city: { fr: 'Amman', ar: 'عمّان' } },
  { code: 'MR', fr: 'Mauritanie', ar: 'موريتانيا', city: { fr: 'Nouakchott', ar: 'نواكشوط' } },
  { code: 'CI', fr: 'Côte d’Ivoire', ar: 'ساحل العاج', city: { fr: 'Abidjan', ar: 'أبيدجان' } },
];

/** Kinds of partner, with how their names begin. */
export const partnerKinds = [
  { kind: 'school', fr: 'École de la magistrature', ar: 'مدرسة القضاء' },
  { kind: 'school', fr: 'Institut de formation judiciaire', ar: 'معهد التكوين القضائي' },
  { kind: 'agency', fr: 'Agence de coopération', ar: 'وكالة التعاون' },
  { kind: 'embassy', fr: 'Ambassade', ar: 'سفارة' },
  { kind: 'ministry', fr: 'Ministère de la Justice', ar: 'وزارة العدل' },
  { kind: 'research-centre', fr: 'Centre de recherche juridique', ar: 'مركز البحث القانوني' },
  { kind: 'court', fr: 'Cour de cassation', ar: 'محكمة النقض' },
];

export const themes = [
  { id: 'migration-asylum', fr: 'droit de la migration et de l’asile', ar: 'قانون الهجرة واللجوء' },
  { id: 'refugee-rights', fr: 'protection des droits des réfugiés', ar: 'حماية حقوق اللاجئين' },
  { id: 'racism-xenophobia', fr: 'lutte contre le racisme et la xénophobie', ar: 'مكافحة العنصرية وكراهية الأجانب' },
  { id: 'family-mediation', fr: 'médiation familiale', ar: 'الوساطة الأسرية' },
  { id: 'gender-equality', fr: 'égalité entre les sexes', ar: 'المساواة بين الجنسين' },
  { id: 'juvenile-justice', fr: 'justice des mineurs', ar: 'قضاء الأحداث' },
  { id: 'cybercrime', fr: 'cybercriminalité', ar: 'الجريمة الإلكترونية' },
  { id: 'commercial-law', fr: 'droit commercial', ar: 'القانون التجاري' },
  { id: 'judicial-ethics', fr: 'déontologie judiciaire', ar: 'أخلاقيات القضاء' },
  { id: 'human-trafficking', fr: 'traite des êtres humains', ar: 'الاتجار بالبشر' },
  { id: 'environmental-law', fr: 'droit de l’environnement', ar: 'قانون البيئة' },
  { id: 'court-management', fr: 'gestion des juridictions', ar: 'تدبير المحاكم' },
  { id: 'anti-corruption', fr: 'lutte contre la corruption', ar: 'مكافحة الفساد' },
  { id: 'international-cooperation', fr: 'entraide judiciaire internationale', ar: 'التعاون القضائي الدولي' },
];

/** Session kinds, with how a title of that kind begins. */
export const sessionKinds = [
  { kind: 'training-of-trainers', fr: 'Formation de formateurs', ar: 'تكوين المكونين' },
  { kind: 'training-session', fr: 'Session de formation', ar: 'دورة تكوينية' },
  { kind: 'regional-session', fr: 'Session régionale', ar: 'دورة جهوية' },
  { kind: 'course', fr: 'Stage', ar: 'تدريب' },
  { kind: 'introductory-meeting', fr: 'Rencontre de présentation', ar: 'لقاء تعريفي' },
  { kind: 'specialised-session', fr: 'Session spécialisée', ar: 'دورة متخصصة' },
  { kind: 'preparatory-meeting', fr: 'Réunion préparatoire', ar: 'اجتماع تحضيري' },
  { kind: 'workshop', fr: 'Atelier', ar: 'ورشة عمل' },
];

export const moroccanCities = [
  { fr: 'Rabat', ar: 'الرباط' },
  { fr: 'Casablanca', ar: 'الدار البيضاء' },
  { fr: 'Fès', ar: 'فاس' },
  { fr: 'Marrakech', ar: 'مراكش' },
  { fr: 'Tanger', ar: 'طنجة' },
  { fr: 'Agadir', ar: 'أكادير' },
  { fr: 'Oujda', ar: 'وجدة' },
  { fr: 'Laâyoune', ar: 'العيون' },
];

export const audiences = [
  { fr: 'attachés de justice', ar: 'الملحقون القضائيون' },
  { fr: 'juges formateurs', ar: 'القضاة المكونون' },
  { fr: 'magistrats du parquet', ar: 'قضاة النيابة العامة' },
  { fr: 'juges des mineurs', ar: 'قضاة الأحداث' },
  { fr: 'greffiers', ar: 'كتاب الضبط' },
  { fr: 'auditeurs de justice', ar: 'الملحقون القضائيون الأجانب' },
];

export const givenNames = [
  { fr: 'Amina', ar: 'أمينة' }, { fr: 'Youssef', ar: 'يوسف' }, { fr: 'Fatima Zahra', ar: 'فاطمة الزهراء' },
  { fr: 'Mohammed', ar: 'محمد' }, { fr: 'Khadija', ar: 'خديجة' }, { fr: 'Hassan', ar: 'حسن' },
  { fr: 'Salma', ar: 'سلمى' }, { fr: 'Omar', ar: 'عمر' }, { fr: 'Nadia', ar: 'نادية' },
  { fr: 'Rachid', ar: 'رشيد' }, { fr: 'Imane', ar: 'إيمان' }, { fr: 'Karim', ar: 'كريم' },
  { fr: 'Leïla', ar: 'ليلى' }, { fr: 'Abdelkader', ar: 'عبد القادر' }, { fr: 'Zineb', ar: 'زينب' },
  { fr: 'Mehdi', ar: 'مهدي' }, { fr: 'Hind', ar: 'هند' }, { fr: 'Ayoub', ar: 'أيوب' },
];

export const familyNames = [
  { fr: 'El Idrissi', ar: 'الإدريسي' }, { fr: 'Benjelloun', ar: 'بنجلون' }, { fr: 'Alaoui', ar: 'العلوي' },
  { fr: 'Bennani', ar: 'بناني' }, { fr: 'Tazi', ar: 'التازي' }, { fr: 'El Fassi', ar: 'الفاسي' },
  { fr: 'Chraïbi', ar: 'الشرايبي' }, { fr: 'Berrada', ar: 'برادة' }, { fr: 'Ouazzani', ar: 'الوزاني' },
  { fr: 'Amrani', ar: 'العمراني' }, { fr: 'Saidi', ar: 'السعيدي' }, { fr: 'Naciri', ar: 'الناصري' },
  { fr: 'Lahlou', ar: 'لحلو' }, { fr: 'Kettani', ar: 'الكتاني' }, { fr: 'Zerouali', ar: 'الزروالي' },
];

export const correctionReasons = [
  'erreur de saisie corrigée d’après le procès-verbal',
  'تصحيح خطأ مادي وفق محضر الدورة',
  'date confirmée par le partenaire',
  'lieu rectifié selon la convocation',
];

export const areas = [
  { fr: 'programmes conjoints de formation et de recherche', ar: 'برامج مشتركة للتكوين والبحث' },
  { fr: 'rencontres et échanges de visites', ar: 'اللقاءات وتبادل الزيارات' },
  { fr: 'accueil de formateurs', ar: 'استقبال المكونين' },
  { fr: 'préparation et publication de textes et supports scientifiques', ar: 'إعداد ونشر النصوص والمواد العلمية' },
  { fr: 'formation continue des magistrats', ar: 'التكوين المستمر للقضاة' },
];
